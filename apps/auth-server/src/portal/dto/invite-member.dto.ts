import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, Length } from 'class-validator';

export class InviteMemberDto {
  @ApiProperty({ example: 'dev@zapflow.example', description: 'A person with a console account' })
  @IsEmail()
  @Length(3, 254)
  email: string;
}
