import { ApiProperty } from '@nestjs/swagger';
import type { PendingDeviceRequest } from '../device-authorization.service.js';

/** A pending sign-in request, as the person deciding sees it. */
export class DeviceRequestDto {
  @ApiProperty({ example: 'tollgate-cli' }) clientId: string;
  @ApiProperty({ example: 'Tollgate CLI' }) clientName: string;
  @ApiProperty({ example: 'http://localhost:7400/api', description: 'Where the credential will work (RFC 8707)' })
  resource: string;
  @ApiProperty({ example: ['admin'], description: 'What the client asks for' }) scopes: string[];
  @ApiProperty({ example: [], description: 'Requested scopes you do not hold there: they cannot be approved' })
  scopesNotHeld: string[];
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7', description: 'Where the request came from' })
  requestedFrom: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;

  static from(request: PendingDeviceRequest): DeviceRequestDto {
    return {
      ...request,
      requestedAt: request.requestedAt.toISOString(),
      expiresAt: request.expiresAt.toISOString(),
    };
  }
}

export class DeviceApprovalDto {
  @ApiProperty({ example: ['admin'], description: 'The scopes approved' }) scopes: string[];
}
