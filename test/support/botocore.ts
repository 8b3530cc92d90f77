import { execFileSync } from 'node:child_process';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto';

/** One call of botocore, AWS's SDK for Python: its client method (snake_case) and the API's parameters. */
export interface BotocoreCall {
  service: string;
  method: string;
  params?: Record<string, unknown>;
}

/**
 * Makes the calls in order with botocore (through boto3, which moto installs beside it) and returns
 * their answers without `ResponseMetadata`. A reader that shares nothing with the JavaScript SDK
 * appvend writes with: what it finds, AWS's other SDK finds. The calls go in one Python process, as
 * the AWS CLI (itself botocore) would make them one process each (about 0.7 s of start-up a call).
 */
const SCRIPT = `
import json, sys, boto3
request = json.load(sys.stdin)
session = boto3.session.Session(
    aws_access_key_id=request["accessKeyId"],
    aws_secret_access_key=request["secretAccessKey"],
    region_name=request["region"],
)
clients = {}
answers = []
for call in request["calls"]:
    service = call["service"]
    if service not in clients:
        clients[service] = session.client(service, endpoint_url=request["endpoint"])
    answer = getattr(clients[service], call["method"])(**call.get("params", {}))
    answer.pop("ResponseMetadata", None)
    answers.append(answer)
json.dump(answers, sys.stdout, default=str)
`;

/** The answers of `calls` made with botocore against moto server at `endpoint`, as the management account. */
export function botocoreCalls(endpoint: string, calls: readonly BotocoreCall[]): Record<string, unknown>[] {
  const input = JSON.stringify({ endpoint, region: MOTO_REGION, ...MOTO_CREDENTIALS, calls });
  return JSON.parse(execFileSync('python3', ['-c', SCRIPT], { input, encoding: 'utf8' })) as Record<
    string,
    unknown
  >[];
}
