import { ApiProperty } from '@nestjs/swagger';
import type { PendingDeviceRequest } from '../device-authorization.service.js';

/** A pending sign-in request, as the person deciding sees it. */
export class DeviceRequestDto {
  @ApiProperty({
    enum: ['sign_in', 'pairing'],
    description: 'A CLI signing in as you, or a device asking to be registered',
  })
  kind: 'sign_in' | 'pairing';
  @ApiProperty({ example: 'tollgate-cli' }) clientId: string;
  @ApiProperty({ example: 'Tollgate CLI' }) clientName: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'thermostat-3',
    description: 'Pairing: the id the device asks for',
  })
  deviceId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Pairing: the RFC 7638 thumbprint of the device’s key' })
  keyThumbprint: string | null;
  @ApiProperty({ type: [String], description: 'Pairing: device clients that could command it' })
  controllers: string[];
  @ApiProperty({ description: 'Whether you may approve it' }) mayApprove: boolean;
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
