import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import {
  type CertificateSubject,
  type CertificateSubjectField,
  InvalidCertificateSubject,
  validateCertificateSubject,
} from '../certificate-subject.js';

const SEE = 'for tls_client_auth clients (RFC 8705 §2.1.2); set exactly one of the tlsClientAuth* fields';

/**
 * RFC 8705 §2.1.2 client metadata: how a `tls_client_auth` client is recognised in the certificate
 * its CA issued it. Exactly one is set, for that method only.
 */
export class TlsClientAuthFields {
  @ApiPropertyOptional({
    example: 'CN=thermostat-7,O=Acme Devices,C=DE',
    description: `The certificate's subject distinguished name (RFC 4514), ${SEE}`,
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  tlsClientAuthSubjectDn?: string;

  @ApiPropertyOptional({ example: 'thermostat-7.devices.example', description: `A dNSName SAN, ${SEE}` })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  tlsClientAuthSanDns?: string;

  @ApiPropertyOptional({
    example: 'spiffe://example.org/thermostat-7',
    description: `A uniformResourceIdentifier SAN, ${SEE}`,
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  tlsClientAuthSanUri?: string;

  @ApiPropertyOptional({ example: '10.0.0.7', description: `An iPAddress SAN (IPv4 or IPv6), ${SEE}` })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tlsClientAuthSanIp?: string;

  @ApiPropertyOptional({ example: 'ops@example.com', description: `An rfc822Name SAN, ${SEE}` })
  @IsOptional()
  @IsString()
  @Length(1, 320)
  tlsClientAuthSanEmail?: string;
}

const FIELDS: Record<keyof TlsClientAuthFields, CertificateSubjectField> = {
  tlsClientAuthSubjectDn: 'subject_dn',
  tlsClientAuthSanDns: 'san_dns',
  tlsClientAuthSanUri: 'san_uri',
  tlsClientAuthSanIp: 'san_ip',
  tlsClientAuthSanEmail: 'san_email',
};

/** The registered subject these fields give (checked), undefined when none is set; 400 for two or a bad value. */
export function certificateSubjectFrom(input: TlsClientAuthFields): CertificateSubject | undefined {
  const given = (Object.keys(FIELDS) as (keyof TlsClientAuthFields)[]).filter((key) => input[key] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new BadRequestException(`Set only one of ${given.join(', ')}`);
  try {
    return validateCertificateSubject({ field: FIELDS[given[0]], value: input[given[0]]! });
  } catch (error) {
    if (error instanceof InvalidCertificateSubject) throw new BadRequestException(`${given[0]}: ${error.message}`);
    throw error;
  }
}

/** The fields a client's registered subject is shown as (RFC 8705's names, in camelCase). */
export function tlsClientAuthFieldsOf(subject: CertificateSubject | null): TlsClientAuthFields {
  if (!subject) return {};
  const key = (Object.keys(FIELDS) as (keyof TlsClientAuthFields)[]).find((name) => FIELDS[name] === subject.field)!;
  return { [key]: subject.value };
}
