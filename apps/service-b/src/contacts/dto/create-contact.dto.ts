import {
  ContactCompanyField,
  ContactEmailField,
  ContactNameField,
  ContactNotesField,
  ContactPhoneField,
  ContactTagsField,
} from './contact-fields.js';

export class CreateContactDto {
  @ContactNameField()
  name: string;

  @ContactEmailField()
  email: string;

  @ContactCompanyField()
  company?: string | null;

  @ContactPhoneField()
  phone?: string | null;

  @ContactTagsField()
  tags?: string[] | null;

  @ContactNotesField()
  notes?: string | null;
}
