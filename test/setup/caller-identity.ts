// The tests run the handlers in-process, not as deployed functions with APPVEND_FUNCTION_ROLE_ARN:
// as the CLI does, they learn who they are from STS (the sandbox's or moto's).
import { useStsCallerIdentity } from '../../shared/aws/caller-identity';

useStsCallerIdentity();
