import { Injectable } from '@nestjs/common';

/** One use of a credential, as reported by a resource server or seen by the auth-server itself. */
export interface CredentialUse {
  credentialType: 'pat' | 'api_key';
  credentialId: string;
  at: Date;
  address: string | null;
}

/** Stores "last used" for their credentials, in batches (the usage service calls it off the request path). */
export interface LastUsedSink {
  readonly kind: 'pat' | 'api_key';
  recordLastUsed(latest: CredentialUse[]): Promise<void>;
}

/** Where the PAT and API-key modules register their last-used sinks for the usage service. */
@Injectable()
export class LastUsedSinkRegistry {
  private readonly sinks = new Map<string, LastUsedSink>();

  register(sink: LastUsedSink): void {
    this.sinks.set(sink.kind, sink);
  }

  sinkFor(kind: string): LastUsedSink | undefined {
    return this.sinks.get(kind);
  }
}
