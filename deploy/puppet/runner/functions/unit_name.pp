# A systemd unit name with its suffix: buildbot-worker -> buildbot-worker.service; foo.target stays.
function runner::unit_name(String[1] $name) >> String {
  $name =~ /\.(service|target|socket|timer|mount|path)\z/ ? {
    true    => $name,
    default => "${name}.service",
  }
}
