import { Injectable } from '@nestjs/common';
import { contains, type DirectoryHit, HITS_PER_KIND } from '../common/directory.js';
import { ClientsRepository } from './clients.repository.js';

/** What the console's overview and search know of clients. */
@Injectable()
export class ClientsDirectory {
  constructor(private readonly clients: ClientsRepository) {}

  counts() {
    return this.clients.countByKind();
  }

  async search(term: string): Promise<DirectoryHit[]> {
    const found = await this.clients.search(term, HITS_PER_KIND * 4);
    return found
      .filter((client) => contains(term, client.id, client.name))
      .slice(0, HITS_PER_KIND)
      .map((client) => ({
        kind: 'client',
        id: client.id,
        title: client.name,
        detail: `${client.kind} · ${client.id}`,
      }));
  }
}
