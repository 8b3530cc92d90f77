import type { AnyPluggable } from '../../shared/aws/client-factory';

interface Pack {
  ConformancePackName: string;
  ConformancePackInputParameters: { ParameterName: string; ParameterValue: string }[];
}

const PACK_COMMANDS = new Set([
  'PutConformancePackCommand',
  'DescribeConformancePacksCommand',
  'DeleteConformancePackCommand',
  'DescribeConformancePackStatusCommand',
]);

/**
 * moto 5.2 has no conformance packs (DescribeConformancePacks answers 500, PutConformancePack is
 * not implemented). So that the rest of the vend and the offboarding can be checked against moto,
 * this client middleware answers just the pack calls (Put, Describe, DescribeStatus, Delete: a pack
 * here is deployed as soon as it is put), per caller access key
 * (one per member account in a run). What conformance packs do is tested on the sandbox, which
 * models them.
 */
export function conformancePackStandIn(): { plugin: AnyPluggable; packs: Map<string, Map<string, Pack>> } {
  const packs = new Map<string, Map<string, Pack>>();
  const plugin: AnyPluggable = {
    applyToStack: (stack) => {
      stack.add(
        (next, context) => async (args) => {
          const command = context.commandName;
          if (!PACK_COMMANDS.has(command ?? '')) return next(args);
          const request = args.request as { headers?: Record<string, string> } | undefined;
          const caller = /Credential=([^/]+)\//.exec(request?.headers?.authorization ?? '')?.[1] ?? 'unknown';
          const mine = packs.get(caller) ?? new Map<string, Pack>();
          packs.set(caller, mine);
          const input = args.input as Record<string, unknown>;
          const $metadata = { httpStatusCode: 200 };
          if (command === 'PutConformancePackCommand') {
            const name = input.ConformancePackName as string;
            mine.set(name, {
              ConformancePackName: name,
              ConformancePackInputParameters:
                (input.ConformancePackInputParameters as Pack['ConformancePackInputParameters']) ?? [],
            });
            return {
              output: {
                ConformancePackArn: `arn:aws:config:us-east-1:000000000000:conformance-pack/${name}`,
                $metadata,
              },
              response: {},
            };
          }
          if (command === 'DescribeConformancePackStatusCommand') {
            // Like AWS (no NoSuchConformancePackException in its model): unknown names list nothing.
            const asked = (input.ConformancePackNames as string[] | undefined) ?? [...mine.keys()];
            const details = asked
              .filter((n) => mine.has(n))
              .map((n) => ({ ConformancePackName: n, ConformancePackState: 'CREATE_COMPLETE' }));
            return { output: { ConformancePackStatusDetails: details, $metadata }, response: {} };
          }
          const names =
            command === 'DeleteConformancePackCommand'
              ? [input.ConformancePackName as string]
              : ((input.ConformancePackNames as string[] | undefined) ?? [...mine.keys()]);
          const missing = names.find((n) => !mine.has(n));
          if (missing) {
            const error = new Error(`Conformance pack ${missing} does not exist`);
            error.name = 'NoSuchConformancePackException';
            throw error;
          }
          if (command === 'DeleteConformancePackCommand') {
            mine.delete(names[0]!);
            return { output: { $metadata }, response: {} };
          }
          return {
            output: { ConformancePackDetails: names.map((n) => mine.get(n)), $metadata },
            response: {},
          };
        },
        { step: 'finalizeRequest', priority: 'low', name: 'conformancePackStandIn' },
      );
    },
  };
  return { plugin, packs };
}
