# @summary runner on a CI worker: its package, its config (validated before it replaces the old one), its
#   systemd unit and service; runner starts the buildbot worker, so the worker's own service is stopped.
#
# @param config runner.yaml as a hash (checks:, lifecycle:), rendered as YAML; `runner config validate` must accept it
# @param config_file where runner.yaml goes (the unit's --config)
# @param state_dir runner's state (last_run.json, events.jsonl, the lock); also lifecycle.state_dir in the config
# @param unit_dir where the unit file goes (/etc/systemd/system overrides the package's /lib/systemd/system)
# @param binary the runner executable: validates the config, and the unit's ExecStart
# @param install 'package' installs $package_name; 'none' installs nothing ($binary must be there already)
# @param package_name the Debian package
# @param package_ensure installed, latest, or a version
# @param package_source a .deb file to install from (with the dpkg provider) instead of an apt repository
# @param package_provider the package provider; default dpkg with a package_source, else puppet's default
# @param manage_service false: puppet writes the unit but touches no service (a chroot, an image build, a test)
# @param service_name runner's unit name, without .service
# @param service_ensure running or stopped
# @param service_enable start at boot
# @param service_provider the service provider; default puppet's (systemd on Debian 12)
# @param worker_services the worker's own units: stopped and disabled, and Conflicts= in runner's unit
# @param worker_service_enable false (disabled) or 'mask', so nothing can start the worker but runner
# @param after units runner starts after (puppet's boot run: the checks see the machine as puppet left it)
# @param timeout_stop TimeoutStopSec: longer than lifecycle.drain.deadline plus stop_grace
# @param node_options NODE_OPTIONS of the daemon (undef for none)
class runner (
  Hash[String, Data] $config,
  Runner::Path $config_file = '/etc/runner/runner.yaml',
  Runner::Path $state_dir = '/var/lib/runner',
  Runner::Path $unit_dir = '/etc/systemd/system',
  Runner::Path $binary = '/usr/bin/runner',
  Enum['package', 'none'] $install = 'package',
  String[1] $package_name = 'ci-worker-runner',
  String[1] $package_ensure = 'installed',
  Optional[Runner::Path] $package_source = undef,
  Optional[String[1]] $package_provider = undef,
  Boolean $manage_service = true,
  Runner::Unit $service_name = 'runner',
  Enum['running', 'stopped'] $service_ensure = 'running',
  Boolean $service_enable = true,
  Optional[String[1]] $service_provider = undef,
  Array[Runner::Unit] $worker_services = ['buildbot-worker'],
  Variant[Boolean, Enum['mask']] $worker_service_enable = false,
  Array[Runner::Unit] $after = ['network-online.target', 'puppet.service'],
  Pattern[/\A(\d+[hms])+\z/] $timeout_stop = '6h5m',
  Optional[String[1]] $node_options = '--max-semi-space-size=1',
) {
  contain runner::install
  contain runner::config
  contain runner::unit
  contain runner::service

  Class['runner::install'] -> Class['runner::config'] -> Class['runner::unit'] -> Class['runner::service']
}
