import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Validate, type ValidatorConstraintInterface, ValidatorConstraint } from 'class-validator';
import { redactSecrets } from '@tollgate/platform';

/** A pasted secret is refused, never looked up (whoever pasted it should revoke it instead). */
@ValidatorConstraint({ name: 'notASecret' })
class NotASecret implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && redactSecrets(value) === value;
  }

  defaultMessage(): string {
    return 'q looks like a secret (a token, key or client secret): search by a name, an id or the visible prefix (e.g. tgk_live_AbCd), and if the secret was exposed, revoke it';
  }
}

export class SearchQueryDto {
  @ApiProperty({
    example: 'zapflow',
    description:
      'Part of a name, email, client id, or the visible prefix of a key or PAT (2–100 characters; never a whole secret)',
  })
  @IsString()
  @Length(2, 100)
  @Validate(NotASecret)
  q: string;
}
