#!/usr/bin/env python
import sys

if __name__ == "__main__":
    from xiangcheng.settings import settings_module_default

    settings_module_default()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
