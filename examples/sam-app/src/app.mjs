/**
 * GET /hello?name=... → {"message":"Hello, <name>!","stage":"<stage>"}.
 * Names are trimmed and limited so that the answer stays small and plain.
 */
export function greeting(name, stage) {
  const who = typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 64) : 'world';
  return { message: `Hello, ${who}!`, stage };
}

export const handler = async (event) => {
  const body = greeting(event?.queryStringParameters?.name, process.env.STAGE ?? 'unknown');
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
};
