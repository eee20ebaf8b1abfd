# A systemd unit name (buildbot-worker, buildbot-worker@linux64, network-online.target): nothing a shell would read.
type Runner::Unit = Pattern[/\A[\w@.:-]+\z/]
