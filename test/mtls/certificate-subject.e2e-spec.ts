import { X509Certificate } from 'node:crypto';
import {
  certificateNamesSubject,
  InvalidCertificateSubject,
  parseDistinguishedName,
  validateCertificateSubject,
} from '../../apps/auth-server/src/clients/certificate-subject.js';
import { DevelopmentCa } from '../../tools/src/certificates/development-ca.js';

const derOf = (pem: string) => new Uint8Array(new X509Certificate(pem).raw);

/** RFC 8705 §2.1.2: recognising a tls_client_auth client in the certificate its CA issued. */
describe('certificate subject matching (tls_client_auth)', () => {
  let der: Uint8Array;

  beforeAll(async () => {
    const ca = await DevelopmentCa.create();
    const issued = await ca.issue({
      commonName: 'unused',
      // Most significant first, as stored: its RFC 4514 string is CN=thermostat-7+serialNumber=42,O=Tollgate\, Demo,C=DE
      subject: [{ C: ['DE'] }, { O: ['Tollgate, Demo'] }, { CN: ['thermostat-7'], '2.5.4.5': ['42'] }],
      usage: 'client',
      dnsNames: ['Thermostat-7.devices.example'],
      ipAddresses: ['10.1.2.3', '2001:db8::7'],
      uris: ['spiffe://example/thermostat-7'],
      emails: ['Ops@Example.com'],
    });
    der = derOf(issued.certificatePem);
  });

  it('matches the subject DN written in RFC 4514 order, whatever its spacing, case or RDN attribute order', () => {
    for (const value of [
      'CN=thermostat-7+serialNumber=42,O=Tollgate\\, Demo,C=DE',
      'serialNumber=42+cn=THERMOSTAT-7, o=tollgate\\2c  demo, c=de',
      '2.5.4.3=thermostat-7+2.5.4.5=42,2.5.4.10=Tollgate\\, Demo,2.5.4.6=DE',
    ])
      expect(certificateNamesSubject(der, { field: 'subject_dn', value })).toBe(true);
  });

  it('refuses a DN that differs in a value, an attribute, or the order of its RDNs', () => {
    for (const value of [
      'CN=thermostat-8+serialNumber=42,O=Tollgate\\, Demo,C=DE',
      'CN=thermostat-7,O=Tollgate\\, Demo,C=DE',
      'C=DE,O=Tollgate\\, Demo,CN=thermostat-7+serialNumber=42',
      'CN=thermostat-7+serialNumber=42,O=Tollgate\\, Demo',
      'CN=thermostat-7+serialNumber=42,O=Tollgate,C=DE',
    ])
      expect(certificateNamesSubject(der, { field: 'subject_dn', value }), value).toBe(false);
  });

  it('matches a SAN of the registered type only: DNS and email without case, IPs as addresses, URIs exactly', () => {
    const matches = (field: Parameters<typeof certificateNamesSubject>[1]['field'], value: string) =>
      certificateNamesSubject(der, { field, value });
    expect(matches('san_dns', 'thermostat-7.devices.example')).toBe(true);
    expect(matches('san_dns', 'devices.example')).toBe(false);
    expect(matches('san_ip', '10.1.2.3')).toBe(true);
    expect(matches('san_ip', '2001:0db8:0000:0000:0000:0000:0000:0007')).toBe(true);
    expect(matches('san_ip', '10.1.2.4')).toBe(false);
    expect(matches('san_uri', 'spiffe://example/thermostat-7')).toBe(true);
    expect(matches('san_uri', 'spiffe://example/Thermostat-7')).toBe(false);
    expect(matches('san_email', 'ops@example.com')).toBe(true);
    // A value present under another type is no match: the DNS name is not an email, the CN is not a DNS name.
    expect(matches('san_email', 'thermostat-7.devices.example')).toBe(false);
    expect(matches('san_dns', 'thermostat-7')).toBe(false);
  });

  it('answers no (never throws) for bytes that are not a certificate', () => {
    expect(certificateNamesSubject(new Uint8Array([0x30, 0x03, 0x02, 0x01]), { field: 'san_dns', value: 'a.b' })).toBe(
      false,
    );
  });

  it('parses RFC 4514 escapes and refuses what it cannot read exactly', () => {
    expect(parseDistinguishedName('CN=a\\2Cb\\C3\\A9,O=x\\+y')).toEqual([
      [{ type: '2.5.4.10', value: 'x+y' }],
      [{ type: '2.5.4.3', value: 'a,bé' }],
    ]);
    for (const bad of ['', 'garbage', 'CN=a,,O=b', 'CN=a,', 'XX=a', 'CN=#0403616263', 'CN=a\\q', 'CN= ', 'CN=a+'])
      expect(() => parseDistinguishedName(bad), JSON.stringify(bad)).toThrow(InvalidCertificateSubject);
  });

  it('validates registered values by type', () => {
    expect(() => validateCertificateSubject({ field: 'san_dns', value: '*.example.com' })).toThrow(/DNS name/);
    expect(() => validateCertificateSubject({ field: 'san_ip', value: '10.0.0.256' })).toThrow(/IPv4 or IPv6/);
    expect(() => validateCertificateSubject({ field: 'san_uri', value: 'not a uri' })).toThrow(/absolute URI/);
    expect(() => validateCertificateSubject({ field: 'san_email', value: 'nobody' })).toThrow(/email/);
    expect(validateCertificateSubject({ field: 'san_ip', value: '::1' })).toEqual({ field: 'san_ip', value: '::1' });
  });
});
