import { Type } from 'class-transformer';
import { IsArray, IsInt, Min, ValidateNested } from 'class-validator';
import { CrmContactDto } from './crm-contact.dto.js';

/** One page of service-b's GET /contacts. */
export class ContactsPageDto {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CrmContactDto)
  items: CrmContactDto[];

  @IsInt()
  @Min(0)
  total: number;
}
