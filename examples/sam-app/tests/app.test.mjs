import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greeting, handler } from '../src/app.mjs';

test('greets by name, trimmed', () => {
  assert.deepEqual(greeting('  Ada ', 'test'), { message: 'Hello, Ada!', stage: 'test' });
});

test('greets the world when no name is given', () => {
  assert.equal(greeting(undefined, 'prod').message, 'Hello, world!');
  assert.equal(greeting('   ', 'prod').message, 'Hello, world!');
});

test('answers API Gateway with JSON and the stage from the environment', async () => {
  process.env.STAGE = 'test';
  const response = await handler({ queryStringParameters: { name: 'Grace' } });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(response.body), { message: 'Hello, Grace!', stage: 'test' });
});
