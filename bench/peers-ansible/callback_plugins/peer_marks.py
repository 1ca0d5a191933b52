# Appends `mark begin|a|b|c|d EPOCH_SECONDS` lines to the file PEER_MARKS names, for bench/peers: begin
# when the playbook starts (Ansible's own start-up and the inventory are before it), then as each of the
# four plays ends (a play ends when the next one starts, the last one with the playbook's stats).
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: peer_marks
    type: aggregate
    short_description: step marks for bench/peers
    description: prints a mark line with the time at the start of the playbook and at the end of each play
    requirements:
      - enabled in ANSIBLE_CALLBACKS_ENABLED
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'peer_marks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.plays = 0
        self.steps = ['a', 'b', 'c', 'd']

    def _mark(self, step):
        with open(os.environ['PEER_MARKS'], 'a') as out:
            out.write('mark %s %.6f\n' % (step, time.time()))

    def v2_playbook_on_start(self, playbook):
        self._mark('begin')

    def v2_playbook_on_play_start(self, play):
        if self.plays > 0:
            self._mark(self.steps[self.plays - 1])
        self.plays += 1

    def v2_playbook_on_stats(self, stats):
        self._mark(self.steps[self.plays - 1])
