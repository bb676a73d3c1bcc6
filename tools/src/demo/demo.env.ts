import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const SECRET_MESSAGE = { message: 'must be 32–512 characters' };

/**
 * Environment of `npm run demo`. Ports default to Tollgate's (clear of PostgreSQL, Redis, Mosquitto
 * and friends); secrets are generated once into DEMO_DATA_DIR/secrets.json unless given here.
 */
export class DemoEnv {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  AUTH_SERVER_PORT: number = 7400;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  SERVICE_B_PORT: number = 7401;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  SERVICE_A_PORT: number = 7402;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  MQTT_PORT: number = 7883;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  MQTT_WS_PORT: number = 7884;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  THERMOSTAT_HEALTH_PORT: number = 7886;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  HUB_HEALTH_PORT: number = 7887;

  /** Databases (SQLite), logs and the generated secrets of the demo. */
  @IsOptional()
  @IsString()
  DEMO_DATA_DIR: string = 'data/demo';

  /** Log level of every service (their logs go to DEMO_DATA_DIR/logs). */
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  DEMO_LOG_LEVEL: string = 'info';

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'must be 3–64 characters of letters, digits, . _ -' })
  BOOTSTRAP_ADMIN_CLIENT_ID: string = 'admin';

  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  BOOTSTRAP_ADMIN_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  SERVICE_A_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  SERVICE_B_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  IOT_BROKER_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  THERMOSTAT_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  @Length(32, 512, SECRET_MESSAGE)
  HUB_CLIENT_SECRET?: string;
}
