import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

export const CONTACT_LIMITS = {
  name: 200,
  email: 254,
  company: 200,
  phone: 40,
  tags: 20,
  tag: 40,
  notes: 2000,
} as const;

const trimmed = Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
const eachTrimmed = Transform(({ value }) =>
  Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item.trim() : item)) : value,
);

// Required on create; on update it may be left out but not set to null (the column is not nullable).
const presence = (required: boolean) => (required ? [] : [ValidateIf((_object, value) => value !== undefined)]);

/**
 * Digits with the usual separators, an optional leading `+` and an optional extension (`x12`, `ext. 12`).
 * Linear time: the extension starts with a letter outside the separator class, so nothing backtracks,
 * which matters because class-validator runs this even on a value already too long.
 */
const PHONE = /^(?=[^0-9]*[0-9])\+?[0-9 ()./-]+(?:(?:x|ext\.?) ?[0-9]{1,6})?$/i;

// class-validator's ArrayUnique is quadratic and runs even on an array already too long.
const UniqueItems = () =>
  ValidateBy({
    name: 'uniqueItems',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && new Set(value).size === value.length,
      defaultMessage: () => '$property must not contain duplicates',
    },
  });

export const ContactNameField = (required = true) =>
  applyDecorators(
    ApiProperty({
      required,
      minLength: 1,
      maxLength: CONTACT_LIMITS.name,
      example: 'Ada Lovelace',
      description: 'Trimmed.',
    }),
    ...presence(required),
    trimmed,
    IsString(),
    Length(1, CONTACT_LIMITS.name),
  );

export const ContactEmailField = (required = true) =>
  applyDecorators(
    ApiProperty({
      required,
      format: 'email',
      maxLength: CONTACT_LIMITS.email,
      example: 'ada@example.com',
      description: 'Unique, compared case-insensitively.',
    }),
    ...presence(required),
    trimmed,
    IsString(),
    MaxLength(CONTACT_LIMITS.email),
    IsEmail({}, { message: '$property must be an email address' }),
  );

export const ContactCompanyField = () =>
  applyDecorators(
    ApiProperty({
      required: false,
      type: String,
      nullable: true,
      minLength: 1,
      maxLength: CONTACT_LIMITS.company,
      example: 'Analytical Engines Ltd',
    }),
    IsOptional(),
    trimmed,
    IsString(),
    Length(1, CONTACT_LIMITS.company),
  );

export const ContactPhoneField = () =>
  applyDecorators(
    ApiProperty({
      required: false,
      type: String,
      nullable: true,
      maxLength: CONTACT_LIMITS.phone,
      pattern: PHONE.source,
      example: '+44 20 7946 0018',
    }),
    IsOptional(),
    trimmed,
    IsString(),
    Length(1, CONTACT_LIMITS.phone),
    Matches(PHONE, { message: '$property must be a phone number (digits, spaces, + ( ) . / -, optional extension)' }),
  );

export const ContactTagsField = () =>
  applyDecorators(
    ApiProperty({
      required: false,
      type: [String],
      nullable: true,
      maxItems: CONTACT_LIMITS.tags,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: CONTACT_LIMITS.tag },
      example: ['newsletter', 'vip'],
    }),
    IsOptional(),
    eachTrimmed,
    IsArray(),
    ArrayMaxSize(CONTACT_LIMITS.tags),
    UniqueItems(),
    IsString({ each: true }),
    Length(1, CONTACT_LIMITS.tag, { each: true }),
  );

export const ContactNotesField = () =>
  applyDecorators(
    ApiProperty({ required: false, type: String, nullable: true, maxLength: CONTACT_LIMITS.notes }),
    IsOptional(),
    IsString(),
    MaxLength(CONTACT_LIMITS.notes),
  );
