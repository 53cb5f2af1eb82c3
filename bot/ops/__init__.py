"""Operations: health checks for load balancers (health), the log settings of the processes the
project starts (logs), and database backups (backup)."""
