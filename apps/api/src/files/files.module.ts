import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { FilesController, TaskFilesController } from './files.controller.js';
import { FILE_STORAGE, FilesService } from './files.service.js';
import { createObjectStorage } from './storage/create-storage.js';

/** Files on tasks and the object store behind them (STORAGE_DRIVER); checked usable at start. */
@Module({
  imports: [TasksModule],
  providers: [
    {
      provide: FILE_STORAGE,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const storage = createObjectStorage(config.storage);
        await storage.init();
        return storage;
      },
    },
    FilesService,
  ],
  exports: [FilesService],
})
export class FilesModule {}

/** The file routes, mounted only in roles that serve HTTP. */
@Module({ imports: [FilesModule, GuardsModule], controllers: [TaskFilesController, FilesController] })
export class FilesHttpModule {}
