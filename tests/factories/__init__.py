"""factory_boy factories. Each app keeps its own module here; related objects always share a tenant."""

from tests.factories.analytics import *  # noqa: F401,F403
from tests.factories.content import *  # noqa: F401,F403
from tests.factories.core import *  # noqa: F401,F403
from tests.factories.deals import *  # noqa: F401,F403
from tests.factories.incentives import *  # noqa: F401,F403
from tests.factories.leads import *  # noqa: F401,F403
from tests.factories.partners import *  # noqa: F401,F403
