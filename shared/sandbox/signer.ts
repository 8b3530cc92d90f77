import { HttpRequest } from '@smithy/core/transport';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HttpRequest as IHttpRequest,
  Provider,
  RequestSigner,
  RequestSigningArguments,
} from '@smithy/types';

/** What the SDK hands a signer's constructor (`signerConstructor`), of which this signer reads three. */
export interface SandboxSignerOptions {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  region: string | Provider<string>;
  service: string;
}

/**
 * The sandbox's signer, given to the SDK as its `signerConstructor`: it writes the Authorization
 * header's credential scope (access key id, date, Region, service), which is all the sandbox reads
 * of a signature (middleware.ts: whose credentials, which Region), and skips SigV4's hashing, which
 * nobody checks in process: a new signer per call deriving its signing key with four HMACs and
 * hashing the canonical request was about 8 % of the CPU of a vend on the sandbox. Clients talking
 * to a real endpoint (moto server, AWS) keep the SDK's SignatureV4.
 */
export class SandboxRequestSigner implements RequestSigner {
  private readonly options: SandboxSignerOptions;

  public constructor(options: SandboxSignerOptions) {
    this.options = options;
  }

  public async sign(request: IHttpRequest, signing: RequestSigningArguments = {}): Promise<IHttpRequest> {
    const { credentials, region, service } = this.options;
    const { accessKeyId } = typeof credentials === 'function' ? await credentials() : credentials;
    const scopeRegion = signing.signingRegion ?? (typeof region === 'function' ? await region() : region);
    const date = new Date(signing.signingDate ?? Date.now()).toISOString().slice(0, 10).replace(/-/g, '');
    // A copy, as SignatureV4 returns one: the retry strategy sends the unsigned request again.
    const signed = HttpRequest.clone(request);
    signed.headers.authorization =
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${date}/${scopeRegion}/` +
      `${signing.signingService ?? service}/aws4_request, SignedHeaders=host, Signature=sandbox`;
    return signed;
  }
}
