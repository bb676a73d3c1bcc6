import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { trim } from '../../users/dto/user-fields.js';
import { RegistrationCredentialDto } from './webauthn-credential.dto.js';

export class CreatePasskeyDto {
  @ApiProperty({ example: 'MacBook Touch ID', description: 'To tell your passkeys apart' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({
    type: RegistrationCredentialDto,
    description: 'The answer to POST /api/me/passkeys/options: navigator.credentials.create() as JSON',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => RegistrationCredentialDto)
  passkey: RegistrationCredentialDto;
}

export class RenamePasskeyDto {
  @ApiProperty({ example: 'Work laptop' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}
