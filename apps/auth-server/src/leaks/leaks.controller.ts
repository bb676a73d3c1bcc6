import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Injectable,
  type PipeTransform,
  Post,
  Req,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ProblemException } from '@tollgate/platform/http';
import { MemoryRateLimiter, rateLimitHeaders } from '@tollgate/rate-limit';
import { Public } from '@tollgate/verifier/nest';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { LeakReportItemDto } from './dto/report-leak.dto.js';
import { LeaksService } from './leaks.service.js';

const MAX_REPORTS = 100;
/** Reports, not requests: each report costs a lookup. The bucket holds one full batch. */
const REPORTS_PER_ADDRESS = { requests: MAX_REPORTS, perSeconds: 60 };

/** Accepts one report or an array of them (GitHub's secret-scanning partner format). */
@Injectable()
class LeakReportsPipe implements PipeTransform<unknown, LeakReportItemDto[]> {
  transform(value: unknown): LeakReportItemDto[] {
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0 || items.length > MAX_REPORTS)
      throw new BadRequestException(`Send 1–${MAX_REPORTS} reports`);
    return items.map((item, index) => {
      if (typeof item !== 'object' || item === null)
        throw new BadRequestException(`Report ${index} must be an object with a token`);
      const report = plainToInstance(LeakReportItemDto, item);
      const errors = validateSync(report, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0)
        throw new BadRequestException(
          errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `report ${index}: ${m}`)),
        );
      return report;
    });
  }
}

@ApiTags('leaks')
@ApiExtraModels(LeakReportItemDto)
@Public()
@Controller('api/leaks')
export class LeaksController {
  private readonly limiter = new MemoryRateLimiter();

  constructor(private readonly leaks: LeaksService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'reportLeakedCredentials',
    summary:
      'Report a leaked credential (open to anyone, e.g. secret scanners). A valid Tollgate credential is revoked at once; the answer is the same whatever was sent.',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(LeakReportItemDto) },
        { type: 'array', items: { $ref: getSchemaPath(LeakReportItemDto) } },
      ],
    },
  })
  @ApiAcceptedResponse({
    description: 'Received (the same answer whatever was sent)',
    schema: {
      type: 'object',
      required: ['status', 'count'],
      properties: { status: { type: 'string', enum: ['received'] }, count: { type: 'integer', examples: [1] } },
    },
  })
  @ApiBadRequestResponse({
    description: 'Not 1–100 reports, or a report that is not an object with a token (problem+json)',
  })
  @ApiTooManyRequestsResponse({
    description: 'More than 100 reports a minute from one address (a batch counts each of its reports)',
  })
  async report(
    @Body(LeakReportsPipe) reports: LeakReportItemDto[],
    @Req() request: FastifyRequest,
  ): Promise<{ status: 'received'; count: number }> {
    const decision = await this.limiter.take(request.ip, REPORTS_PER_ADDRESS, reports.length);
    if (!decision.allowed)
      throw new ProblemException(429, 'Too many leak reports from this address; retry later', {
        code: 'rate_limited',
        headers: rateLimitHeaders(REPORTS_PER_ADDRESS, decision, 'leaks'),
      });
    this.leaks.accept(reports, request.ip);
    return { status: 'received', count: reports.length };
  }
}
