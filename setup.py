"""gankd: the framework package plus every builtin plugin under plugins/.

Each folder plugins/gankd_<name> is its own top-level package and is declared
as an entry point in group ``gankd.plugins`` (a test checks both agree).
"""
import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version() -> str:
    scope: dict = {}
    with open(os.path.join(HERE, 'gankd', 'version.py')) as file:
        exec(file.read(), scope)
    return scope['__version__']


def read_requirements(name: str) -> list:
    with open(os.path.join(HERE, 'requirements', name)) as file:
        return [line.split('#')[0].strip() for line in file
                if line.split('#')[0].strip()]


def builtin_plugins() -> list:
    folder = os.path.join(HERE, 'plugins')
    if not os.path.isdir(folder):
        return []
    return sorted(
        name for name in os.listdir(folder)
        if name.startswith('gankd_')
        and os.path.isfile(os.path.join(folder, name, '__init__.py')))


PLUGINS = builtin_plugins()
PLUGIN_PACKAGES = find_packages(where='plugins', include=['gankd_*'])

setup(
    name='gankd',
    version=read_version(),
    description='Knowledge distillation and GAN priors on the OpenMMLab '
    'engine',
    long_description=open(os.path.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    python_requires='>=3.9',
    packages=find_packages(include=['gankd', 'gankd.*']) + PLUGIN_PACKAGES,
    package_dir={name: os.path.join('plugins', *name.split('.'))
                 for name in PLUGIN_PACKAGES},
    include_package_data=True,
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    entry_points={
        'console_scripts': ['gankd = gankd.cli:main'],
        'gankd.plugins': [f'{name} = {name}' for name in PLUGINS],
    },
)
