import type { Visibility } from '../access/visibility.js';
import type { EstateStatus } from '../investigation/answer.js';
import { visibleStatus } from '../investigation/visible-status.js';
import { homeView } from './blocks/home-view.js';
import { capacityWarningsFor } from './capacity-warnings-for.js';
import type { SlackServices } from './slack-services.js';

/** One person's App Home: the part of the estate they see, and the capacity warnings of those services. */
export async function homeViewFor(services: SlackServices, status: EstateStatus, visibility: Visibility) {
  const visible = visibleStatus(status, visibility, services.catalogue);
  const now = services.now();
  const capacityWarnings = await capacityWarningsFor(services.stores.forecasts, visible.services.map((service) => service.service), now);
  return homeView(visible, { now, capacityWarnings });
}
