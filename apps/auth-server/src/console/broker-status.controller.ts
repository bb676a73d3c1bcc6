import { Controller, Get } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { BrokerStatusService } from './broker-status.service.js';
import { BrokerStatusDto } from './dto/broker-status.response.js';

@ApiTags('iot-broker')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/broker')
export class BrokerStatusController {
  constructor(private readonly broker: BrokerStatusService) {}

  @Get('status')
  @ApiOperation({
    operationId: 'getBrokerStatus',
    summary:
      'The IoT broker’s health and connected devices (from IOT_BROKER_HEALTH_URL); { configured: false } when it is not set',
  })
  @ApiOkResponse({ type: BrokerStatusDto })
  @ApiBadGatewayResponse({ description: 'The broker did not answer, or not with a health report (problem+json)' })
  status(): Promise<BrokerStatusDto> {
    return this.broker.status();
  }
}
