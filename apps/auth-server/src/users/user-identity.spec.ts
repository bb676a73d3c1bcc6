import { normaliseEmail, passwordProblem } from './user-identity.js';

describe('user identity rules', () => {
  describe(normaliseEmail.name, () => {
    it('trims, lower-cases and NFKC-normalises', () => {
      expect(normaliseEmail('  Dana.Scully@FBI.gov ')).toBe('dana.scully@fbi.gov');
      // Fullwidth letters (U+FF24 …) fold to ASCII under NFKC.
      expect(normaliseEmail('\uFF24ana@example.com')).toBe('dana@example.com');
    });
  });

  describe(passwordProblem.name, () => {
    it.each([
      ['eleven char', 'password must be at least 12 characters'],
      ['x'.repeat(257), 'password must be at most 256 characters'],
      [' DANA@example.com', 'password must not be the email address'],
    ])('refuses %j', (password, problem) => {
      expect(passwordProblem(password, 'dana@example.com')).toBe(problem);
    });

    it('counts code points, not UTF-16 units', () => {
      expect(passwordProblem('🔑'.repeat(12), 'dana@example.com')).toBeNull();
      expect(passwordProblem('🔑'.repeat(11), 'dana@example.com')).toBe('password must be at least 12 characters');
    });

    it('accepts 12 to 256 characters that are not the email', () => {
      expect(passwordProblem('twelve chars', 'dana@example.com')).toBeNull();
      expect(passwordProblem('x'.repeat(256), 'dana@example.com')).toBeNull();
    });
  });
});
