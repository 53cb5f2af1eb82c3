"""Operations: health checks for load balancers (health), the log settings of the processes the
project starts (logs), database backups (backup), and the Prometheus metrics (metrics)."""
