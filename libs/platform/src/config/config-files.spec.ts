import { readConfigFile } from './config-files.js';

describe(readConfigFile.name, () => {
  it('reads a file a variable names, and names the variable when it cannot', () => {
    const problems: string[] = [];
    expect(readConfigFile('TLS_CERT_FILE', undefined, problems)).toBeUndefined();
    expect(readConfigFile('TLS_CERT_FILE', '/no/such/file.pem', problems)).toBeUndefined();
    expect(problems).toEqual(['TLS_CERT_FILE: cannot read /no/such/file.pem (ENOENT)']);
    expect(readConfigFile('PACKAGE', 'package.json', problems)).toContain('"name"');
  });
});
