import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../shared/ledger/ledger';
import { MemoryLedgerStore } from '../../shared/ledger/memory-store';
import { answerPortalRequest } from '../../shared/workflow/portal-api';

const event = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../events/api', file), 'utf8')) as APIGatewayProxyEvent;

describe('Portal API: the current step of a running vend', () => {
  const starter = {
    start: async (name: string) => ({
      executionArn: `arn:aws:states:us-east-1:1:execution:appvend-vend:${name}`,
    }),
  };

  it('reads it from the execution while the vend runs, and not once it has ended', async () => {
    // Prepare
    const ledger = new Ledger(new MemoryLedgerStore());
    const asked: string[] = [];
    const progress = {
      currentStep: async (arn: string) => {
        asked.push(arn);
        return 'DeployStackSets' as const;
      },
    };
    const posted = await answerPortalRequest(event('post-application.json'), { ledger, starter, progress });
    const name = (posted.body as { name: string }).name;

    // Act
    const running = await answerPortalRequest(event('get-application.json'), { ledger, starter, progress });
    const record = (await ledger.get(name))!;
    await ledger.recordOutcome(name, record.requestId, {
      application: name,
      status: 'SUCCEEDED',
      accounts: {},
      stackSets: [],
    });
    const ended = await answerPortalRequest(event('get-application.json'), { ledger, starter, progress });

    // Assess
    expect(posted.statusCode).toBe(202);
    expect(running.body).toMatchObject({ status: 'IN_PROGRESS', step: 'DeployStackSets' });
    expect(asked).toEqual([record.executionArn]);
    expect(ended.body).toMatchObject({ status: 'SUCCEEDED', step: null });
  });

  it('answers without the step when the history cannot be read', async () => {
    // Prepare
    const ledger = new Ledger(new MemoryLedgerStore());
    const progress = {
      currentStep: async () => {
        throw new Error('AccessDenied');
      },
    };
    await answerPortalRequest(event('post-application.json'), { ledger, starter, progress });

    // Act
    const answer = await answerPortalRequest(event('get-application.json'), { ledger, starter, progress });

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ status: 'IN_PROGRESS', step: null });
  });
});
