"""Every domain's tables, imported once so they register on the service's metadata (app and migrations)."""

from .bid import models as bid  # noqa: F401
from .bidder import models as bidder  # noqa: F401
from .catalogue import models as catalogue  # noqa: F401
from .contract import models as contract  # noqa: F401
from .disclosure import models as disclosure  # noqa: F401
from .evaluation import models as evaluation  # noqa: F401
from .followup import models as followup  # noqa: F401
from .need import models as need  # noqa: F401
from .ocds import models as ocds  # noqa: F401
from .performance import models as performance  # noqa: F401
from .project import models as project  # noqa: F401
from .report import models as report  # noqa: F401
from .venture import models as venture  # noqa: F401
