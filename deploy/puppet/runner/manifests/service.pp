# @summary runner runs the buildbot worker: the worker's own services are stopped and disabled (or masked)
#   before runner's service is started. No restart on a config change: the daemon re-reads it each iteration.
# @api private
class runner::service {
  if $runner::manage_service {
    $runner::worker_services.each |$worker| {
      service { $worker:
        ensure   => stopped,
        enable   => $runner::worker_service_enable,
        provider => $runner::service_provider,
        before   => Service[$runner::service_name],
      }
    }
    service { $runner::service_name:
      ensure   => $runner::service_ensure,
      enable   => $runner::service_enable,
      provider => $runner::service_provider,
    }
  }
}
