import type { Redis } from 'ioredis';

/** A question asked through the HTTP API, and where its answer stands. */
export interface ApiQuestion {
  id: string;
  question: string;
  /** The API client that asked. */
  askedBy: string;
  /** Wall-clock ms. */
  askedAt: number;
  status: 'pending' | 'done' | 'failed';
  /** Once done: the answer as text (what Slack shows) and as data. */
  text?: string;
  answer?: unknown;
  /** Once failed: why, one line. */
  error?: string;
}

/** Answers are kept an hour for clients to poll, then forgotten. */
const QUESTION_SECONDS = 3600;

/**
 * Questions asked through `POST /api/v1/ask`, kept in Redis so that any bot replica answers a
 * poll for one: `<prefix>api:question:<id>`, a JSON string that expires an hour after it was last written.
 */
export class ApiQuestions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}api:question:${id}`;
  }

  async save(question: ApiQuestion): Promise<void> {
    await this.redis.set(this.key(question.id), JSON.stringify(question), 'EX', QUESTION_SECONDS);
  }

  async get(id: string): Promise<ApiQuestion | undefined> {
    const text = await this.redis.get(this.key(id));
    return text === null ? undefined : (JSON.parse(text) as ApiQuestion);
  }
}
