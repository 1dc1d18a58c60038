export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** Server-sent events from text chunks as they arrive (lines may be split across chunks). */
export class SseParser {
  private pending = '';
  private id?: string;
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    const messages: SseMessage[] = [];
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') {
        if (this.data.length > 0)
          messages.push({ ...(this.id === undefined ? {} : { id: this.id }), event: this.event || 'message', data: this.data.join('\n') });
        this.id = undefined;
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id') this.id = value;
    }
    return messages;
  }
}
