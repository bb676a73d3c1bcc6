import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, id_ce_subjectAltName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { isIP } from 'node:net';

/**
 * How a `tls_client_auth` client is recognised in its CA-issued certificate (RFC 8705 §2.1.2): by
 * exactly one of its subject distinguished name or a subject alternative name of one type.
 */
export type CertificateSubjectField = 'subject_dn' | 'san_dns' | 'san_uri' | 'san_ip' | 'san_email';

export const CERTIFICATE_SUBJECT_FIELDS: readonly CertificateSubjectField[] = [
  'subject_dn',
  'san_dns',
  'san_uri',
  'san_ip',
  'san_email',
];

export interface CertificateSubject {
  field: CertificateSubjectField;
  value: string;
}

/** One attribute of a relative distinguished name: its type as an OID, its value as text. */
interface NameAttribute {
  type: string;
  value: string;
}

type DistinguishedName = NameAttribute[][];

/** RFC 4514 §3 short names (case-insensitive), and the ones certificates commonly carry besides. */
const ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  C: '2.5.4.6',
  STREET: '2.5.4.9',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  SERIALNUMBER: '2.5.4.5',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  E: '1.2.840.113549.1.9.1',
  TITLE: '2.5.4.12',
  GIVENNAME: '2.5.4.42',
  SN: '2.5.4.4',
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
};

/** A registered subject (a DN, or a SAN of some type) that cannot be used, and why. */
export class InvalidCertificateSubject extends Error {
  override name = 'InvalidCertificateSubject';
}

/**
 * Parses a distinguished name written as RFC 4514 says (most significant RDN last, `,` between RDNs,
 * `+` inside a multi-valued one, `\`-escapes and `\XX` hex pairs); `#`-hex BER values are refused
 * rather than guessed at. Returns RDNs most significant first, as a certificate stores them.
 */
export function parseDistinguishedName(text: string): DistinguishedName {
  const rdns: NameAttribute[][] = [];
  let attributes: NameAttribute[] = [];
  let position = 0;
  const fail = (why: string) => new InvalidCertificateSubject(`${why} at character ${position + 1}`);
  while (position < text.length) {
    while (text[position] === ' ') position++;
    const equals = text.indexOf('=', position);
    if (equals < 0) throw fail('an attribute needs "type=value"');
    const name = text.slice(position, equals).trim();
    const type = /^\d+(\.\d+)+$/.test(name) ? name : ATTRIBUTE_TYPES[name.toUpperCase()];
    if (!type) throw fail(`unknown attribute type "${name.slice(0, 40)}" (use its OID)`);
    position = equals + 1;
    if (text[position] === '#') throw fail('hex-encoded (#) values are not supported; write the value as text');
    const bytes: number[] = [];
    let value = '';
    const flush = () => {
      if (bytes.length === 0) return;
      value += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    };
    for (; position < text.length && text[position] !== ',' && text[position] !== '+'; position++) {
      const char = text[position];
      if (char !== '\\') {
        flush();
        value += char;
        continue;
      }
      const next = text.slice(position + 1, position + 3);
      if (/^[0-9a-fA-F]{2}$/.test(next)) {
        bytes.push(parseInt(next, 16));
        position += 2;
      } else if (position + 1 < text.length && ' "#+,;<=>\\'.includes(text[position + 1])) {
        flush();
        value += text[++position];
      } else throw fail('a backslash must escape a special character or two hex digits');
    }
    flush();
    if (value.trim() === '') throw fail(`attribute ${name.slice(0, 40)} has no value`);
    attributes.push({ type, value });
    if (text[position] !== '+') {
      rdns.push(attributes);
      attributes = [];
    }
    if (position < text.length && position === text.length - 1) throw fail('the name ends with a separator');
    position++;
  }
  if (rdns.length === 0) throw new InvalidCertificateSubject('the name is empty');
  return rdns.reverse();
}

/** RFC 4518-style insignificant space and case: what caseIgnoreMatch compares. */
function normalizedValue(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function sameRdn(left: NameAttribute[], right: NameAttribute[]): boolean {
  if (left.length !== right.length) return false;
  const key = ({ type, value }: NameAttribute) => `${type}=${normalizedValue(value)}`;
  const keys = new Set(left.map(key));
  return right.every((attribute) => keys.has(key(attribute)));
}

/** RFC 4517 distinguishedNameMatch: the same RDNs in the same order, each the same set of attributes. */
function sameName(left: DistinguishedName, right: DistinguishedName): boolean {
  return left.length === right.length && left.every((rdn, index) => sameRdn(rdn, right[index]));
}

/** An IP address in one canonical text form (IPv6 compressed and lower-case). */
function canonicalIp(address: string): string | undefined {
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return new URL(`http://[${address}]`).hostname.slice(1, -1);
  return undefined;
}

/** Checks a registered value when the client is registered; throws with the reason when it is unusable. */
export function validateCertificateSubject({ field, value }: CertificateSubject): CertificateSubject {
  const problem = (why: string) => new InvalidCertificateSubject(why);
  switch (field) {
    case 'subject_dn':
      parseDistinguishedName(value);
      break;
    case 'san_dns':
      if (
        !/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
          value,
        )
      )
        throw problem('must be a DNS name (no wildcard)');
      break;
    case 'san_uri':
      if (!URL.canParse(value) || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) throw problem('must be an absolute URI');
      break;
    case 'san_ip':
      if (!canonicalIp(value)) throw problem('must be an IPv4 or IPv6 address');
      break;
    case 'san_email':
      if (!/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(value)) throw problem('must be an email address');
      break;
  }
  return { field, value };
}

/** The names a certificate carries, read from its DER encoding. */
interface CertificateNames {
  subject: DistinguishedName;
  dns: string[];
  uri: string[];
  ip: string[];
  email: string[];
}

function namesOf(der: Uint8Array): CertificateNames {
  const tbs = AsnConvert.parse(der, Certificate).tbsCertificate;
  const names: CertificateNames = {
    subject: tbs.subject.map((rdn) => rdn.map(({ type, value }) => ({ type, value: value.toString() }))),
    dns: [],
    uri: [],
    ip: [],
    email: [],
  };
  const extension = tbs.extensions?.find(({ extnID }) => extnID === id_ce_subjectAltName);
  if (!extension) return names;
  for (const name of AsnConvert.parse(extension.extnValue, SubjectAlternativeName)) {
    if (name.dNSName !== undefined) names.dns.push(name.dNSName);
    if (name.uniformResourceIdentifier !== undefined) names.uri.push(name.uniformResourceIdentifier);
    if (name.iPAddress !== undefined) names.ip.push(name.iPAddress);
    if (name.rfc822Name !== undefined) names.email.push(name.rfc822Name);
  }
  return names;
}

/**
 * RFC 8705 §2.1.2: whether the certificate (DER) names the registered subject. The subject DN is
 * compared as RFC 4517 distinguishedNameMatch does; a SAN must equal one entry of its type (DNS
 * names and email addresses without regard to case, IP addresses as addresses, URIs exactly).
 */
export function certificateNamesSubject(der: Uint8Array, { field, value }: CertificateSubject): boolean {
  let names: CertificateNames;
  try {
    names = namesOf(der);
  } catch {
    return false;
  }
  switch (field) {
    case 'subject_dn':
      return sameName(names.subject, parseDistinguishedName(value));
    case 'san_dns':
      return names.dns.some((name) => name.toLowerCase() === value.toLowerCase());
    case 'san_uri':
      return names.uri.includes(value);
    case 'san_ip': {
      const wanted = canonicalIp(value);
      return names.ip.some((address) => canonicalIp(address) === wanted);
    }
    case 'san_email':
      return names.email.some((address) => address.toLowerCase() === value.toLowerCase());
  }
}
