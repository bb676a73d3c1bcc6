import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { OverviewDto } from './dto/overview.response.js';
import { SearchResultsDto } from './dto/search-results.response.js';
import { SearchQueryDto } from './dto/search.query.js';
import { OverviewService } from './overview.service.js';

@ApiTags('overview')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get('overview')
  @ApiOperation({
    operationId: 'getOverview',
    summary:
      'Credentials by kind and state, API keys and PATs expiring within 7 days, refusals in the last 24 hours, the revocation feed and the IoT broker',
  })
  @ApiOkResponse({ type: OverviewDto })
  get(): Promise<OverviewDto> {
    return this.overview.overview();
  }

  // POST, not GET: a term such as tgk_live_AbCd stays out of URLs and access logs, where every
  // credential-shaped query value is refused (credential-location.ts).
  @Post('search')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'search',
    summary:
      'Find clients, API consumers, API keys (by name or visible prefix), users and PATs (by name or visible prefix); a whole secret is refused. Changes nothing; POST keeps the term out of URLs.',
  })
  @ApiOkResponse({ type: SearchResultsDto })
  search(@Body() query: SearchQueryDto): Promise<SearchResultsDto> {
    return this.overview.search(query.q.trim());
  }
}
