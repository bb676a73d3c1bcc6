export const ROLE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const ROLE_NAME_MESSAGE =
  'name must be 1–64 characters of lower-case letters, digits, ".", "_" or "-", starting with a letter or digit';
