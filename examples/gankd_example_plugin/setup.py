"""An installable third-party gankd plugin: the pattern to copy."""
from setuptools import find_packages, setup

setup(
    name='gankd-example-plugin',
    version='0.1.0',
    description='Example third-party plugin for gankd',
    packages=find_packages(include=['gankd_example', 'gankd_example.*']),
    package_data={'gankd_example': ['configs/*.py', 'weights/*.pth']},
    install_requires=['gankd'],
    # The one line that makes it a plugin: gankd finds it through this
    # entry point; no custom_imports anywhere.
    entry_points={'gankd.plugins': ['gankd_example = gankd_example']},
)
