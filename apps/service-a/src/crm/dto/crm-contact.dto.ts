import { IsISO8601, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';

/** A contact as service-b returns it (GET /contacts); checked before anything is stored. */
export class CrmContactDto {
  @IsUUID()
  id: string;

  @IsString()
  @MaxLength(255)
  name: string;

  @IsString()
  @MaxLength(320)
  email: string;

  @ValidateIf((contact: CrmContactDto) => contact.company !== null)
  @IsString()
  @MaxLength(255)
  company: string | null;

  @IsISO8601({ strict: true })
  createdAt: string;

  @IsISO8601({ strict: true })
  updatedAt: string;
}
