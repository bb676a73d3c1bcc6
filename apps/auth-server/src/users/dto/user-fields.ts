import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../user-identity.js';
import type { UserKind } from '../user.entity.js';

export const USER_KINDS: UserKind[] = ['person', 'service_account'];

export const PASSWORD_DESCRIPTION = `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not the email address; stored as an argon2id hash`;

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
