import type { Story } from '../story.js';
import { apiKeyStory } from './api-key.story.js';
import { iotStory } from './iot.story.js';
import { m2mStory } from './m2m.story.js';
import { patStory } from './pat.story.js';

/** The demo's chapters, run in this order. */
export const DEMO_STORIES: readonly Story[] = [apiKeyStory, patStory, m2mStory, iotStory];
