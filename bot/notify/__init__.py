"""Mail to the provincial offices: each new lead (or a digest of them) and a daily reminder of the
leads not contacted within two working days. Settings from the environment (settings), addresses
from bot/data/offices.yml (recipients), working days from bot/data/holidays.yml (working_days), the
mails' words (messages), what was sent (models) and the runs that send (sender, schedule)."""
