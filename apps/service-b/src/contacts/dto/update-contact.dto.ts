import {
  ContactCompanyField,
  ContactEmailField,
  ContactNameField,
  ContactNotesField,
  ContactPhoneField,
  ContactTagsField,
} from './contact-fields.js';

/** A partial change: fields left out stay as they are; `null` clears an optional field. */
export class UpdateContactDto {
  @ContactNameField(false)
  name?: string;

  @ContactEmailField(false)
  email?: string;

  @ContactCompanyField()
  company?: string | null;

  @ContactPhoneField()
  phone?: string | null;

  @ContactTagsField()
  tags?: string[] | null;

  @ContactNotesField()
  notes?: string | null;
}
