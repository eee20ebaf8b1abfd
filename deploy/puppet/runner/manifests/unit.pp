# @summary runner's systemd unit, from templates/runner.service.epp with this node's paths.
# @api private
class runner::unit {
  $unit = "${runner::unit_dir}/${runner::service_name}.service"
  file { $unit:
    ensure  => file,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
    content => epp('runner/runner.service.epp', {
        binary       => $runner::binary,
        config_file  => $runner::config_file,
        state_dir    => $runner::state_dir,
        after        => $runner::after,
        conflicts    => $runner::worker_services.map |$s| { runner::unit_name($s) },
        timeout_stop => $runner::timeout_stop,
        node_options => $runner::node_options,
    }),
  }
  if $runner::manage_service {
    # a changed unit takes effect at runner's next start; restarting now would drain the worker mid-build
    exec { "systemctl daemon-reload for ${unit}":
      command     => ['systemctl', 'daemon-reload'],
      path        => ['/usr/bin', '/bin'],
      refreshonly => true,
      subscribe   => File[$unit],
    }
  }
}
