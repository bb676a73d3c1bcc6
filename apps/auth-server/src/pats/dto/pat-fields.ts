export const MAX_LIFETIME_DAYS_LIMIT = 3650;

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const oneOrMany = ({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value);
