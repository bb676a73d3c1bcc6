/** Why a connection was cut before its packet was buffered. */
export interface PacketSizeViolation {
  reason: 'packet_too_large' | 'malformed_length';
  /** Size announced by the fixed header (type byte + length bytes + remaining length). */
  announcedSize?: number;
  limit: number;
}

/**
 * Follows the MQTT fixed headers (MQTT 3.1.1 §2.2: one type byte, then the Remaining Length in
 * one to four base-128 bytes) as bytes go by, skipping bodies without copying them, and reports a
 * packet that announces more than `maxPacketSize` bytes as soon as its header is read, before the
 * body arrives. aedes v1 has no such limit and would buffer up to 256 MB per packet.
 */
export class MqttFrameScanner {
  private state: 'type' | 'length' | 'body' = 'type';
  private remainingLength = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxPacketSize: number) {}

  /** Scans the next chunk of the stream; returns the first violation, if any. */
  scan(chunk: Uint8Array): PacketSizeViolation | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'type') {
        i++;
        this.state = 'length';
        this.remainingLength = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.state === 'length') {
        const byte = chunk[i++];
        this.lengthBytes++;
        this.remainingLength += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        const size = 1 + this.lengthBytes + this.remainingLength;
        if (size > this.maxPacketSize) return { reason: 'packet_too_large', announcedSize: size, limit: this.maxPacketSize };
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return { reason: 'malformed_length', limit: this.maxPacketSize };
          continue;
        }
        this.bodyLeft = this.remainingLength;
        this.state = this.bodyLeft > 0 ? 'body' : 'type';
      } else {
        const skipped = Math.min(this.bodyLeft, chunk.length - i);
        i += skipped;
        this.bodyLeft -= skipped;
        if (this.bodyLeft === 0) this.state = 'type';
      }
    }
    return undefined;
  }
}
