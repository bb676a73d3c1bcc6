/** RFC 6749 §5.1 successful token response (no refresh token: client credentials never gets one). */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the token is bound to the client's DPoP key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  /** RFC 8693 §2.2.1, token exchange only. */
  issued_token_type?: string;
  /** A device paired through the device grant: the client id it was registered as (it renews with private_key_jwt). */
  client_id?: string;
}
