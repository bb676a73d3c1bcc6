import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The RFC 9457 body every error is answered with (see ProblemDetailsFilter in @tollgate/platform). */
export class ProblemResponse {
  @ApiProperty({
    example: 'urn:tollgate:problem:contact_not_found',
    description: '`about:blank` or `urn:tollgate:problem:<code>`',
  })
  type: string;

  @ApiProperty({ example: 'Not Found' })
  title: string;

  @ApiProperty({ example: 404 })
  status: number;

  @ApiProperty({ required: false })
  detail?: string;

  @ApiProperty({ required: false, type: [String], description: 'One message per invalid field (validation errors).' })
  errors?: string[];
}

/** Documents an error answer as `application/problem+json`. */
export const ApiProblemResponse = (status: number, description: string) =>
  applyDecorators(
    ApiExtraModels(ProblemResponse),
    ApiResponse({
      status,
      description,
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemResponse) } } },
    }),
  );
