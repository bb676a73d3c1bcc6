import type { Story } from '../story.js';
import { apiKeyStory } from './api-key.story.js';
import { iotStory } from './iot.story.js';
import { m2mStory } from './m2m.story.js';

/**
 * The demo's chapters, run in this order. Personal access tokens join as `pat.story.ts`, listed
 * after the API-key story, once the PAT feature lands.
 */
export const DEMO_STORIES: readonly Story[] = [apiKeyStory, m2mStory, iotStory];
