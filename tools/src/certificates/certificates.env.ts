import { IsOptional, IsString, Matches } from 'class-validator';

/**
 * Environment of the one-shot `certificates` service of docker-compose: the development CA and the
 * TLS server certificate of the auth-server's mTLS endpoint and of the broker's MQTT-over-TLS port.
 */
export class CertificatesEnv {
  /** Where the CA certificate (`ca.crt`) and the server's certificate and key (`server.crt`, `server.key`) are written; shared read-only with the auth-server and the broker. */
  @IsOptional() @IsString() TLS_DIR: string = '/tls';

  /** Where the CA's private key (`ca.key`) is written: a folder only this service and the demo see, since it can sign device certificates. */
  @IsOptional() @IsString() TLS_CA_KEY_DIR: string = '/tls-ca';

  /** Comma-separated DNS names and IP addresses the server certificate is for: the public host and the compose service names. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.:-]+(,[A-Za-z0-9.:-]+)*$/, {
    message: 'must be a comma-separated list of host names and IP addresses',
  })
  TLS_SERVER_NAMES: string = 'localhost,127.0.0.1,auth-server,iot-broker';
}
